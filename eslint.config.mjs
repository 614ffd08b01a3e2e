// Lint: typescript-eslint's recommended rules over the sources; dist, tools and node_modules ignored.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'var/**', 'coverage/**', '*.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['test/**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
