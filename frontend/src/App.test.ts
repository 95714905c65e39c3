import { describe, expect, it } from 'vitest'
import { createSSRApp } from 'vue'
import { renderToString } from 'vue/server-renderer'
import App from './App.vue'

describe('App', () => {
  it('states the split', async () => {
    const html = await renderToString(createSSRApp(App))
    expect(html).toContain('Megabox')
    expect(html).toContain('90 %')
  })
})
