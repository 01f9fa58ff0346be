#!/usr/bin/env node
// Entry point of the installed command: the compiled server lives in dist/.
import '../dist/server/main.js';
