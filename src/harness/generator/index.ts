export * from './core.js';
export * from './combinators.js';
export * from './interpreter.js';
