// @ts-check
import tseslint from 'typescript-eslint';

/**
 * Type-aware rules that catch what review kept finding by hand, and the one architecture rule that
 * is about a module rather than a layer: src/core never imports `vscode` at run time (it runs and is
 * tested in plain Node). The layer order and the no-cycle rule live in .dependency-cruiser.cjs.
 */
export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'scripts/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A promise nobody awaits loses its rejection: await it, return it, or mark it `void` on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected (event handlers, setTimeout) drops its errors.
      '@typescript-eslint/no-misused-promises': 'error',
      // `import type` for what is only a type: the bundle and the core/vscode boundary stay honest.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message: 'src/core runs in plain Node: take what you need through an interface in core/like.ts, and wire vscode in src/ui.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
