import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Two pages from one build: the public catalog at `/` and the staff client at `/staff/`. The server
 * (`packages/server/src/http/plugins/web.ts`) serves `dist/` and sends each page for its client-side routes.
 */
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      input: {
        opac: fileURLToPath(new URL('index.html', import.meta.url)),
        staff: fileURLToPath(new URL('staff/index.html', import.meta.url)),
      },
    },
  },
});
