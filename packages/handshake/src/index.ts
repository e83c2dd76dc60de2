export {
  formatExtensionList,
  isToken,
  isTokenChar,
  listContainsToken,
  parseExtensionList,
  parseTokenList,
} from './header-values.js';
export type { Extension, ExtensionParam, ParseResult } from './header-values.js';
