// End-to-end: formats and bonus files. A creator publishes a folder of FLAC
// masters (24-bit/96 kHz and 16-bit/44.1 kHz) with a PDF booklet and
// lyrics; a fan sees the formats and the bonus files with their sizes
// before buying, buys, and the library mirrors the release as FLAC with
// the booklet in Bonus/; choosing MP3 320 mirrors it again as MP3s and the
// FLAC files go. Screenshots of the release page and the Library view, in
// English and French, go to docs/screenshots/app when MEGABOX_SCREENS is
// set (else to the e2e shots).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sharedApp, openBrowser, answerWelcome, signIn, shots, creator, fan, tempDir, addFolder, buy } from './lib.mjs'

const s = sharedApp()
const out = process.env.MEGABOX_SCREENS || shots
const snap = (page, view, lang, theme) => page.screenshot({ path: join(out, `${view}-${lang}-${theme}-1280.png`) })

const pdf = '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n' +
  '3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n'

// flacAlbum writes a release folder of FLAC masters made by sox and flac,
// a booklet and lyrics, backdated so sync treats them as settled.
function flacAlbum(dir, title) {
  const album = join(dir, title)
  mkdirSync(album, { recursive: true })
  const shapes = [['96000', '24', 'Undertow'], ['44100', '16', 'Low Water']]
  shapes.forEach(([rate, bits, name], i) => {
    const wav = join(dir, `.${i}.wav`)
    execFileSync('sox', ['-n', '-r', rate, '-b', bits, '-c', '2', wav, 'synth', '6', 'pluck', String(220 + i * 110)])
    execFileSync('flac', ['--silent', '-f', '-o', join(album, `0${i + 1}.flac`), `--tag=TITLE=${name}`, '--tag=ARTIST=Nova Harbor',
      `--tag=ALBUM=${title}`, `--tag=TRACKNUMBER=${i + 1}`, wav])
  })
  writeFileSync(join(album, 'Booklet.pdf'), pdf.padEnd(180_000, ' '))
  writeFileSync(join(album, 'Lyrics.txt'), 'The tide comes in\nand the tide goes out\n')
  const past = new Date(Date.now() - 10000)
  for (const f of readdirSync(album)) utimesSync(join(album, f), past, past)
  return album
}

test('formats and bonus files before purchase, then the library in the fan’s format', { timeout: 600000 }, async () => {
  const { page, pageErrors } = s
  await signIn(page, creator)
  const music = tempDir('mbx-music-')
  flacAlbum(music, 'Hi-Res Tide')
  await addFolder(page, music)
  const card = page.locator('article[data-release="Hi-Res Tide"]')
  await card.locator('[data-testid=release-state][data-state=synced]').waitFor({ timeout: 120000 })
  await card.locator('button', { hasText: /^Publish$/ }).click()
  await card.locator('[data-testid=release-public]', { hasText: 'published' }).waitFor({ timeout: 60000 })

  await signIn(page, fan)
  const openRelease = async (p) => {
    await p.click('nav [data-view=store]')
    await p.fill('input[name=q]', 'Hi-Res')
    await p.press('input[name=q]', 'Enter')
    await p.click('.tile:has-text("Hi-Res Tide")')
    await p.locator('[data-testid=formats]').waitFor()
  }
  await openRelease(page)
  assert.equal(await page.locator('[data-testid=formats]').textContent(), 'Download as FLAC (up to 24-bit/96 kHz) · MP3 320 · MP3 V0 · Opus · AAC')
  assert.deepEqual(await page.locator('[data-testid=extras] li').allTextContents(), ['Booklet.pdf 180 kB', 'Lyrics.txt 40 bytes'])
  await snap(page, '12-release-formats', 'en', 'light')
  await buy(s)

  await page.click('nav [data-view=library]')
  const owned = page.locator('[data-library-release="Hi-Res Tide"]')
  await owned.locator('[data-testid=mirrored-format]', { hasText: 'In FLAC' }).waitFor({ timeout: 180000 })
  await owned.locator('[data-testid=library-extras]', { hasText: 'Booklet.pdf (180 kB)' }).waitFor()
  assert.equal(await page.locator('[data-testid=library-format]').inputValue(), 'flac')
  const dir = join(s.app.home, 'Music', 'Megabox', 'Nova Harbor', 'Hi-Res Tide')
  const files = () => readdirSync(dir).sort()
  assert.deepEqual(files(), ['01 - Undertow.flac', '02 - Low Water.flac', 'Bonus', 'cover.jpg'].filter((f) => f !== 'cover.jpg' || existsSync(join(dir, f))))
  assert.deepEqual(readdirSync(join(dir, 'Bonus')).sort(), ['Booklet.pdf', 'Lyrics.txt'])
  await snap(page, '13-library-format', 'en', 'light')

  await page.selectOption('[data-testid=library-format]', 'mp3-320')
  await owned.locator('[data-testid=mirrored-format]', { hasText: 'In MP3 320' }).waitFor({ timeout: 180000 })
  assert.deepEqual(files().filter((f) => f.endsWith('.flac') || f.endsWith('.mp3')), ['01 - Undertow.mp3', '02 - Low Water.mp3'])
  assert.deepEqual(readdirSync(join(dir, 'Bonus')).sort(), ['Booklet.pdf', 'Lyrics.txt'])
  await snap(page, '13-library-format-mp3', 'en', 'light')

  // The same views in French and dark: the choice stays.
  const fr = await openBrowser(s.app.url, { locale: 'fr-FR', colorScheme: 'dark', height: 800 })
  try {
    await answerWelcome(fr.page)
    await fr.page.click('nav [data-view=library]')
    await fr.page.locator('[data-library-release="Hi-Res Tide"] [data-testid=mirrored-format]', { hasText: 'En MP3 320' }).waitFor()
    assert.equal(await fr.page.locator('[data-testid=library-format]').inputValue(), 'mp3-320')
    await snap(fr.page, '13-library-format', 'fr', 'dark')
    await openRelease(fr.page)
    assert.equal(await fr.page.locator('[data-testid=formats]').textContent(), 'À télécharger en FLAC (jusqu’à 24 bits/96 kHz) · MP3 320 · MP3 V0 · Opus · AAC')
    await snap(fr.page, '12-release-formats', 'fr', 'dark')
    assert.deepEqual(fr.pageErrors, [])
  } finally {
    await fr.close()
  }
  assert.deepEqual(pageErrors, [])
})
