import { quietNodeVersionWarning } from '../../src/sdk/quiet-node-version-warning.js';

quietNodeVersionWarning();
