// ESLint flat config: the recommended JavaScript and TypeScript rules, Vue's
// essential (correctness) rules for single-file components, browser globals
// for the UI and Node globals for the end-to-end scripts. Vue's template
// layout rules are left out: the templates keep their compact house style.
import js from '@eslint/js'
import globals from 'globals'
import pluginVue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  // Generated bindings and build output are not ours to lint.
  { ignores: ['dist/**', 'wailsjs/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['src/**/*.{ts,vue}'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Test doubles stand in for generated bindings and event payloads;
    // typing every mock in full would only restate the bindings.
    files: ['src/**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    // End-to-end scripts run in Node and hand callbacks to the page.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
)
