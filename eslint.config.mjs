// Lint: typescript-eslint recommended rules, plus the architecture rule that keeps
// src/core free of the `vscode` module so the CLI and plain-mocha tests can load it.
import tseslint from 'typescript-eslint';
import layers from './eslint-rules/layers.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.e2e/**', '.sandbox/**', 'test-results/**', '**/*.vsix'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
    },
  },
  {
    // Classic zod adds ~450 kB to every bundle that touches it; zod/mini validates the same at a few kB.
    files: ['src/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'zod', message: "Import from 'zod/mini' (import * as z from 'zod/mini'): classic zod is 450 kB in the bundle." }],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core, src/cli and src/webview must not import vscode: put VS Code glue in src/extension.' },
          { name: 'zod', message: "Import from 'zod/mini' (import * as z from 'zod/mini'): classic zod is 450 kB in the bundle." },
        ],
      }],
    },
  },
  {
    // Layers and cycles: eslint-rules/layers.mjs, docs/architecture.md.
    files: ['src/**/*.ts'],
    plugins: { local: layers },
    rules: { 'local/layers': 'error' },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
  },
);
