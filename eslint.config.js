// `npm run lint`: ESLint's recommended rules, and typescript-eslint's recommended type-checked rules
// over the TypeScript (types from tsconfig.json). Formatting is not linted. Each rule turned off
// says why.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', '.tap/', 'node_modules/', 'artifacts/', 'scratch/', '.paylab/'] },
  js.configs.recommended,
  // An empty catch says "not there, or not JSON: keep the default".
  { rules: { 'no-empty': ['error', { allowEmptyCatch: true }] } },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Fastify handlers and hooks, tap callbacks and interface implementations are async by
      // contract: an async function without await is how they return a promise.
      '@typescript-eslint/require-await': 'off',
      // A leading underscore names a parameter or binding kept for its position or shape.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }]
    }
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // tap awaits the promise t.test() returns itself; tests call it without await by design.
      '@typescript-eslint/no-floating-promises': 'off',
      // Tests read answers as JSON (any) and check their shape with tap's assertions.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Tests build query strings and messages from JSON values whose shape they know.
      '@typescript-eslint/no-base-to-string': 'off'
    }
  },
  {
    files: ['scenarios/runner/steps/**/*.ts'],
    rules: {
      // A step's arguments are YAML data that scenario.schema.json has checked before the run.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off'
    }
  },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
  // The cashier's card form runs in the buyer's browser.
  { files: ['gateway/cashier/card-form.js', 'gateway/dashboard/dashboard.js'], languageOptions: { globals: globals.browser } }
)
