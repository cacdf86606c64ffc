import _ from 'lodash';
import {
  helper,
} from "@scope/used/sub/path";
// a relative import and a builtin are not packages
import { local } from './local.mjs';
import fs from 'node:fs';

export async function load() {
  const m = await import('dyn');
  return m.default(_.identity(helper), local, fs);
}
