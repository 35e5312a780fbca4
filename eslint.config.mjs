import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The scripts and the E2E harness run in plain Node: its own globals, read off the Node that runs ESLint.
const nodeGlobals = Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly']));

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/e2e/runtime/**', 'test-artifacts/**', '.gateway-data/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    // The gateway and the client layer run in plain Node: they must never import vscode. Nor does the
    // extension's own plain layer (src/objects) or the cores the unit tests run: the tree model, ObjectFs.
    files: [
      'src/gateway/**/*.ts',
      'src/client/**/*.ts',
      'src/config/**/*.ts',
      'src/common/**/*.ts',
      'src/embedded/**/*.ts',
      'src/objects/**/*.ts',
      'src/jobs/**/*.ts',
      'src/views/model.ts',
      'src/views/rowtext.ts',
      'src/views/messagerows.ts',
      'src/views/shardnodes.ts',
      'src/fs/core.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'] }] },
  },
);
