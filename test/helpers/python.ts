import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Python xgboost 1.7's prediction for every row of a CSV file, from a model.tar.gz holding
 * `xgboost-model`. `labelled`: the first column is the label, and is dropped.
 */
export function pythonPredictions(modelTarGz: string, csv: string, options: { labelled: boolean }): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-pymodel-'));
  try {
    execFileSync('tar', ['-xzf', modelTarGz, '-C', dir]);
    const features = options.labelled ? 'd[:,1:]' : 'd';
    const out = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `import sys,numpy as np,xgboost as xgb\nb=xgb.Booster();b.load_model(sys.argv[1])\nd=np.loadtxt(sys.argv[2],delimiter=",",ndmin=2)\nprint("\\n".join(repr(float(p)) for p in b.predict(xgb.DMatrix(${features}))))`,
        join(dir, 'xgboost-model'),
        csv,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    return out.trim().split('\n').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
