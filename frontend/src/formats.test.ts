import { describe, expect, it } from 'vitest'
import { bestMaster, fileSize, formatLabel, formatNames, kHz, percent } from './formats'

describe('formats', () => {
  it('names formats as the platform does', () => {
    expect(['flac', 'mp3-320', 'mp3-v0', 'opus', 'aac', 'mp3'].map((f) => formatLabel(f))).toEqual(['FLAC', 'MP3 320', 'MP3 V0', 'Opus', 'AAC', 'MP3'])
  })

  it('finds the finest lossless master and whether the others differ', () => {
    const m = (codec: string, bit_depth = 0, sample_rate = 0) => ({ master: { codec, bit_depth, sample_rate } })
    expect(bestMaster([m('flac', 24, 96000), m('flac', 24, 96000)])).toEqual({ bits: 24, rate: 96000, mixed: false })
    expect(bestMaster([m('flac', 16, 44100), m('flac', 24, 48000), m('flac', 16, 192000)])).toEqual({ bits: 24, rate: 48000, mixed: true })
    expect(bestMaster([m('flac', 24, 96000), m('mp3')])).toEqual({ bits: 24, rate: 96000, mixed: true })
    expect(bestMaster([m('mp3'), { master: undefined } as any])).toBeNull()
    expect(bestMaster([])).toBeNull()
  })

  it('says sample rates in kHz in the user’s locale', () => {
    expect([kHz(96000), kHz(44100), kHz(88200, 'fr'), kHz(48000, 'fr')]).toEqual(['96', '44.1', '88,2', '48'])
  })

  it('lists formats with the lossless one’s quality', () => {
    expect(formatNames(['flac', 'mp3-320', 'mp3-v0', 'opus', 'aac'], '24-bit/96 kHz')).toEqual(['FLAC (24-bit/96 kHz)', 'MP3 320', 'MP3 V0', 'Opus', 'AAC'])
    expect(formatNames(['mp3'], '')).toEqual(['MP3'])
    expect(formatNames(undefined as any, '')).toEqual([])
  })

  it('says file sizes in the user’s units', () => {
    expect([fileSize(512), fileSize(12_400), fileSize(3_456_789), fileSize(4_200_000_000)]).toEqual(['512 bytes', '12 kB', '3.5 MB', '4.2 GB'])
    expect(fileSize(3_456_789, 'fr')).toBe('3,5\u202fMo') // French puts a narrow no-break space before the unit
  })

  it('shows progress as a whole percentage, never 100 before the end', () => {
    expect([percent(0), percent(0.4), percent(0.999), percent(1.5), percent(-1)]).toEqual([0, 40, 99, 99, 0])
  })
})
