export { thing } from 'reexported';
export type { T } from './types';
