// Usage: node upload.mjs ENDPOINT TOKEN FILE SHA256 CHUNK_SIZE
// Prints the upload URL on success; exits 1 with the error otherwise.
import { readFileSync } from 'node:fs'
import * as tus from 'tus-js-client'

const [endpoint, token, file, sha256, chunk] = process.argv.slice(2)
const data = readFileSync(file)
const upload = new tus.Upload(data, {
  endpoint,
  headers: { Authorization: `Bearer ${token}` },
  metadata: { sha256, filename: 'from-tus-js.mp3' },
  chunkSize: Number(chunk),
  retryDelays: [0, 100],
  uploadSize: data.length,
  onError: (err) => { console.error(String(err)); process.exit(1) },
  onSuccess: () => { console.log(upload.url); process.exit(0) },
})
upload.start()
