// The cleanup report's words in English and in Spanish (the seed report's
// headings), so the same renderer writes both.

/** Every phrase the report uses. */
export interface ReportText {
  title: string;
  date: string;
  session: string;
  summary: string;
  summaryLine: (freed: string, share: string, policy: string) => string;
  result: string;
  before: string;
  after: string;
  freed: string;
  kept: string;
  keptLine: (n: number) => string;
  critical: string;
  neededBy: string;
  historical: string;
  keptForHistory: string;
  resume: string;
  deleted: string;
  count: string;
  spaceFreed: string;
  justification: string;
  largest: string;
  files: string;
  justifications: Record<string, string>;
  categoryNames: Record<string, string>;
  refused: string;
  backup: string;
  noBackup: string;
  backupFile: string;
  backupSize: string;
  backupContents: string;
  integrity: string;
  integrityOk: string;
  integrityBad: string;
  notFullyChecked: string;
  notDeleted: string;
  notDeletedLine: string;
  total: string;
  structure: string;
  structureSize: string;
  nextSteps: string;
  staleRefs: string;
  staleLine: (file: string) => string;
  optionalDelete: (bytes: string) => string;
  nothingNext: string;
  tagNames: Record<string, string>;
}

export const EN: ReportText = {
  title: 'Checkpoint Cleanup Report',
  date: 'Date',
  session: 'Cleanup session',
  summary: 'Summary',
  summaryLine: (freed, share, policy) => `A ${policy} cleanup of \`checkpoints/\` freed **${freed}** (${share} of the folder).`,
  result: 'Result',
  before: 'Before',
  after: 'After',
  freed: 'Space freed',
  kept: 'Models Kept',
  keptLine: (n) => `These ${n} models were kept:`,
  critical: 'Critical models',
  neededBy: 'Needed by',
  historical: 'Historical models',
  keptForHistory: 'Kept for its historical value',
  resume: 'Resume points',
  deleted: 'Deleted',
  count: 'Count',
  spaceFreed: 'Space freed',
  justification: 'Justification',
  largest: 'Largest',
  files: 'files',
  justifications: {
    intermediate: 'Training snapshots not needed: the final models are enough.',
    experiment: 'Reproduction experiments, not critical: they hold no model of the current ensemble.',
    ablation: 'Ablation results are documented in their sessions.',
    debug: 'Debugging leftovers.',
    manual: 'Deleted by hand from the dashboard.',
  },
  categoryNames: { intermediate: 'Intermediate checkpoints', experiment: 'Reproduction experiments', ablation: 'Ablation experiments', debug: 'Debug runs', manual: 'Other deletions' },
  refused: 'Not completed',
  backup: 'Backup',
  noBackup: 'No backup was made.',
  backupFile: 'File',
  backupSize: 'Size',
  backupContents: 'Contents',
  integrity: 'Integrity Check',
  integrityOk: 'loads correctly',
  integrityBad: 'FAILED',
  notFullyChecked: 'structure checked; run a full verify for every CRC',
  notDeleted: 'Files Left Out of the Plan',
  notDeletedLine: 'These files were not deleted (no policy proposed them and nothing protects them):',
  total: 'Total',
  structure: 'Final Structure',
  structureSize: 'Total size',
  nextSteps: 'Next Steps',
  staleRefs: 'Update the files that still mention deleted checkpoints:',
  staleLine: (file) => `\`${file}\``,
  optionalDelete: (bytes) => `Delete the optional files above if you need the space: it would free ${bytes} more.`,
  nothingNext: 'Nothing left to do.',
  tagNames: { critical: 'CRITICAL', historical: 'HISTORICAL', resume: 'RESUME', optional: 'optional' },
};

export const ES: ReportText = {
  title: 'Checkpoint Cleanup Report',
  date: 'Fecha',
  session: 'Sesión de limpieza',
  summary: 'Resumen Ejecutivo',
  summaryLine: (freed, share, policy) => `Se ejecutó una limpieza ${POLICY_ES[policy] ?? policy} de la carpeta \`checkpoints/\` liberando **${freed}** (${share} del espacio total).`,
  result: 'Resultado',
  before: 'Antes',
  after: 'Después',
  freed: 'Espacio liberado',
  kept: 'Modelos Preservados',
  keptLine: (n) => `Los siguientes ${n} modelos fueron preservados:`,
  critical: 'Modelos Críticos',
  neededBy: 'Requerido por',
  historical: 'Modelos Históricos',
  keptForHistory: 'Preservado por valor histórico',
  resume: 'Puntos de reanudación',
  deleted: 'Archivos Eliminados',
  count: 'Cantidad',
  spaceFreed: 'Espacio liberado',
  justification: 'Justificación',
  largest: 'Mayores',
  files: 'archivos',
  justifications: {
    intermediate: 'Snapshots de entrenamiento no necesarios. Los modelos finales son suficientes.',
    experiment: 'Experimentos no críticos, no contienen modelos del ensemble actual.',
    ablation: 'Resultados documentados en sesiones.',
    debug: 'Archivos de depuración no necesarios.',
    manual: 'Eliminado a mano desde el panel.',
  },
  categoryNames: { intermediate: 'Checkpoints Intermedios', experiment: 'Experimentos de Reproducción', ablation: 'Experimentos de Ablation', debug: 'Debug Runs', manual: 'Otras eliminaciones' },
  refused: 'No completado',
  backup: 'Backup',
  noBackup: 'No se creó ningún backup.',
  backupFile: 'Archivo',
  backupSize: 'Tamaño',
  backupContents: 'Contenido',
  integrity: 'Verificación de Integridad',
  integrityOk: 'Cargado correctamente',
  integrityBad: 'FALLÓ',
  notFullyChecked: 'estructura verificada; una verificación completa comprueba cada CRC',
  notDeleted: 'Archivos Adicionales No Eliminados',
  notDeletedLine: 'Los siguientes archivos no fueron eliminados (no estaban en el plan):',
  total: 'Total',
  structure: 'Estructura Final',
  structureSize: 'Tamaño total',
  nextSteps: 'Próximos Pasos',
  staleRefs: 'Actualizar scripts que referencian checkpoints eliminados:',
  staleLine: (file) => `\`${file}\``,
  optionalDelete: (bytes) => `Eliminar archivos adicionales (opcional): liberaría ${bytes} adicionales.`,
  nothingNext: 'No queda nada por hacer.',
  tagNames: { critical: 'CRÍTICO', historical: 'HISTÓRICO', resume: 'REANUDACIÓN', optional: 'opcional' },
};

const POLICY_ES: Record<string, string> = { conservative: 'conservadora', moderate: 'moderada', aggressive: 'agresiva', manual: 'manual' };
