import type { CommentSyntax } from './types.js';

/** `//` and `/* … *\/` comments, and "…", '…' and `…` literals: C, C++, Java, JavaScript, TypeScript, Go, Rust. */
export const cFamilyComments: CommentSyntax = { line: '//', block: { open: '/*', close: '*/' }, quotes: ['"', "'", '`'] };
