import { describe, expect, it } from 'vitest';
import type { ModelInstance } from './model-instance.js';
import { startMultiModelInstance, targetModelProblem } from './multi-model-instance.js';

/** A fake model instance that answers with its target's name, and can be made to die. */
function fakeLoader() {
  const loads: string[] = [];
  const stopped: string[] = [];
  const kill = new Map<string, () => void>();
  const load = async (target: string): Promise<ModelInstance> => {
    loads.push(target);
    let die!: () => void;
    const exited = new Promise<{ expected: boolean; reason: string }>((r) => {
      die = () => r({ expected: false, reason: 'crashed' });
    });
    kill.set(target, die);
    return {
      id: target,
      outstanding: 0,
      invoke: async () => ({ status: 200, body: Buffer.from(target), contentType: 'text/plain' }),
      exited,
      stop: async () => {
        stopped.push(target);
      },
    };
  };
  return { load, loads, stopped, kill };
}

const ask = async (instance: ModelInstance, targetModel: string) =>
  (await instance.invoke({ body: Buffer.from('1'), targetModel })).body.toString();

describe('multi-model instance', () => {
  it('loads a model once, keeps the most recently used ones, and unloads beyond capacity', async () => {
    const f = fakeLoader();
    const instance = await startMultiModelInstance('i', f.load, 2);
    expect(await ask(instance, 'a.tar.gz')).toBe('a.tar.gz');
    expect(await ask(instance, 'b.tar.gz')).toBe('b.tar.gz');
    expect(await ask(instance, 'a.tar.gz')).toBe('a.tar.gz'); // a is now the most recent
    expect(await ask(instance, 'c.tar.gz')).toBe('c.tar.gz'); // b goes
    await new Promise((r) => setImmediate(r));
    expect(f.stopped).toEqual(['b.tar.gz']);
    expect(await ask(instance, 'a.tar.gz')).toBe('a.tar.gz');
    expect(f.loads).toEqual(['a.tar.gz', 'b.tar.gz', 'c.tar.gz']);
    expect(await ask(instance, 'b.tar.gz')).toBe('b.tar.gz');
    expect(f.loads).toEqual(['a.tar.gz', 'b.tar.gz', 'c.tar.gz', 'b.tar.gz']);
  });

  it('loads a model again after its instance died', async () => {
    const f = fakeLoader();
    const instance = await startMultiModelInstance('i', f.load, 4);
    await ask(instance, 'a.tar.gz');
    f.kill.get('a.tar.gz')!();
    await new Promise((r) => setImmediate(r));
    await ask(instance, 'a.tar.gz');
    expect(f.loads).toEqual(['a.tar.gz', 'a.tar.gz']);
  });

  it('stops every loaded model when it stops', async () => {
    const f = fakeLoader();
    const instance = await startMultiModelInstance('i', f.load, 4);
    await ask(instance, 'a.tar.gz');
    await ask(instance, 'b.tar.gz');
    await instance.stop(0);
    expect(f.stopped.sort()).toEqual(['a.tar.gz', 'b.tar.gz']);
    expect((await instance.exited).expected).toBe(true);
  });

  it('accepts relative S3 paths only', () => {
    expect(targetModelProblem('a.tar.gz')).toBeUndefined();
    expect(targetModelProblem('team-1/v2/model.tar.gz')).toBeUndefined();
    for (const bad of ['', '/abs.tar.gz', '../up.tar.gz', 'a/../b.tar.gz', 'a//b', './a', 'a b']) {
      expect(targetModelProblem(bad), bad).toMatch(/TargetModel/);
    }
    expect(targetModelProblem(undefined)).toMatch(/name the model to run/);
  });
});
