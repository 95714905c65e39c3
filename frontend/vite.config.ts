import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  build: { emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'] },
})
