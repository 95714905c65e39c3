// How download formats, masters and bonus files are said to people: the
// formats a release is sold in, the library's format, file sizes.
// The formats a fan may choose for the library, best first.
export const libraryFormats = ['flac', 'mp3-320', 'mp3-v0', 'opus', 'aac'] as const

const labels: Record<string, string> = { flac: 'FLAC', 'mp3-320': 'MP3 320', 'mp3-v0': 'MP3 V0', opus: 'Opus', aac: 'AAC', mp3: 'MP3' }

// formatLabel names a format as the platform does (api.Format.Label).
export function formatLabel(f: string): string {
  return labels[f] || f.toUpperCase()
}

export interface Master { codec: string; sample_rate?: number; bit_depth?: number }

// bestMaster is the finest lossless master of a release's tracks (highest
// bit depth, then sample rate), and whether the others differ from it;
// null when none is lossless.
export function bestMaster(tracks: { master?: Master }[]): { bits: number; rate: number; mixed: boolean } | null {
  const lossless = tracks.map((t) => t.master).filter((m): m is Master => !!m && m.codec === 'flac' && !!m.bit_depth && !!m.sample_rate)
  if (!lossless.length) return null
  const best = lossless.reduce((a, b) => (b.bit_depth! > a.bit_depth! || (b.bit_depth === a.bit_depth && b.sample_rate! > a.sample_rate!) ? b : a))
  const mixed = lossless.length < tracks.length || lossless.some((m) => m.bit_depth !== best.bit_depth || m.sample_rate !== best.sample_rate)
  return { bits: best.bit_depth!, rate: best.sample_rate!, mixed }
}

// kHz says a sample rate in kHz in the user's locale: 44100 → "44.1".
export function kHz(rate: number, locale = 'en'): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(rate / 1000)
}

// formatNames lists a release's formats by name, the lossless one followed
// by its masters' quality (already in words) when there is one.
export function formatNames(formats: string[], quality: string): string[] {
  return (formats || []).map((f) => (f === 'flac' && quality ? `${formatLabel(f)} (${quality})` : formatLabel(f)))
}

// fileSize says a size in bytes in the user's locale: "1.2 MB", "1,2 Mo".
export function fileSize(bytes: number, locale = 'en'): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const
  let n = Math.max(0, bytes || 0)
  let i = 0
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: units[i], unitDisplay: i === 0 ? 'long' : 'short', maximumFractionDigits: i < 2 ? 0 : 1 }).format(n)
}

// percent says progress (0 to 1) as a whole percentage, never 100 before
// the end.
export function percent(progress: number): number {
  return Math.min(99, Math.max(0, Math.floor((progress || 0) * 100)))
}
