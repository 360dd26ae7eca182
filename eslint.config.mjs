// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['extension/dist/**', 'extension/out/**', 'node_modules/**', '.cache/**', '.venv/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    files: ['extension/src/**/*.ts', 'tests/extension/**/*.ts'],
    languageOptions: {
      parserOptions: { project: ['extension/tsconfig.json', 'tests/extension/unit/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      'eqeqeq': ['error', 'always'],
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { ...globals.node, ...globals.mocha },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
