// `node --import` this file to run as if the packages named in KAIWA_HIDE_PACKAGES (comma
// separated) were not installed: importing them fails the way a missing package does. Plain
// JavaScript, so it works in a child that does not load tsx.
import { register } from 'node:module';

const hidden = (process.env.KAIWA_HIDE_PACKAGES ?? '').split(',').filter(Boolean);
register(new URL('./hide-packages-hooks.mjs', import.meta.url), { data: { hidden } });
