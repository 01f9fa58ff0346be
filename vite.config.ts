import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app is served by the ckptdash server itself in production; in dev, Vite
// serves web/ and proxies /api to a server started with `npm run dev`.
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      // web/api/*.ts are the app's own modules, served by Vite: only the server's routes go through.
      '^/api/(?![^?]*\\.tsx?(\\?|$))': { target: `http://127.0.0.1:${process.env.CKPTDASH_DEV_PORT ?? '7879'}`, changeOrigin: false },
    },
  },
});
