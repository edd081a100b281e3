// Builds the web app into dist/web, which `omni server` serves. For
// `vite dev`, API, sign-in and OIDC paths go to a local server on 6767.

import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const outDir = fileURLToPath(new URL('../../dist/web', import.meta.url))
const server = 'http://127.0.0.1:6767'

export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir, emptyOutDir: true },
  server: {
    proxy: {
      '/api': { target: server, ws: true },
      '/auth': { target: server },
      '/oidc': { target: server, ws: true },
    },
  },
})
