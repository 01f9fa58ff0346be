// Test-only: unpickles a checkpoint's data.pkl with the standard Python
// pickle module (when python3 exists), allowing only the globals
// torch.load(weights_only=True) needs and returning a JSON view of it.
import { execFileSync, spawnSync } from 'node:child_process';

export const hasPython = spawnSync('python3', ['--version']).status === 0;

const SCRIPT = `
import collections, json, pickle, sys, zipfile
ALLOWED = {("collections", "OrderedDict"), ("torch._utils", "_rebuild_tensor_v2"), ("torch", "FloatStorage")}
def rebuild(storage, offset, size, stride, requires_grad, hooks, metadata=None):
    return {"tensor": storage, "offset": offset, "shape": list(size), "stride": list(stride), "requires_grad": requires_grad}
class Restricted(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"global {module}.{name} is not allowed")
        return {"OrderedDict": collections.OrderedDict, "_rebuild_tensor_v2": rebuild}.get(name, name)
    def persistent_load(self, pid):
        kind, storage_class, key, location, numel = pid
        assert kind == "storage"
        return {"class": storage_class, "key": key, "location": location, "numel": numel}
with zipfile.ZipFile(sys.argv[1]) as z:
    top = z.namelist()[0].split("/")[0]
    obj = Restricted(z.open(top + "/data.pkl")).load()
print(json.dumps(obj))
`;

/** JSON view of the checkpoint's pickle, tensors as {tensor: {class, key, location, numel}, shape, stride}. */
export function unpickleCheckpoint(file: string): unknown {
  return JSON.parse(execFileSync('python3', ['-c', SCRIPT, file], { encoding: 'utf8' }));
}
