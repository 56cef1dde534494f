import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { VOXELNET_PRESETS } from './experiment';
import {
  formatSummary,
  runSeeds,
  SeedsCommandLineError,
  seededConfig,
  seedsCommandLine,
  summarise,
  writeSeedResults,
} from './seeds';

describe('seeds and spread', () => {
  it('seededConfig: seed 0 is the preset; other seeds move initialisation and scenes, never onto the held-out ones', () => {
    const q = VOXELNET_PRESETS.quick;
    expect(seededConfig(q, 0)).toEqual({ ...q, network: { seed: 0 } });
    const s2 = seededConfig(q, 2);
    expect(s2.firstSeed).toBe(200_000);
    expect(s2.network?.seed).toBe(2);
    expect(() => seededConfig(q, 10)).toThrow(/held-out/);
  });
  it('summarise and formatSummary: mean ± sd per metric in the runs’ order', () => {
    const s = summarise([
      { a: 1, b: 10 },
      { a: 3, b: 10 },
    ]);
    expect(Object.keys(s)).toEqual(['a', 'b']);
    expect(s.a).toEqual({ mean: 2, sd: +Math.SQRT2.toFixed(3), values: [1, 3] });
    expect(formatSummary(s)).toBe('a: 2.00 ± 1.41 (1.00, 3.00)\nb: 10.00 ± 0.00 (10.00, 10.00)');
  });

  it('writes the summary of the seeds to real-seeds[-scene].json', () => {
    const dir = pathToFileURL(`${mkdtempSync(join(tmpdir(), 'seeds-'))}/`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const run = { what: 'w', backend: 'cpu', seeds: [0, 1], startedMs: Date.now() };
    writeSeedResults(dir, { ...run, scene: 'urban' }, [{ ap: 1 }, { ap: 3 }]);
    writeSeedResults(dir, { ...run, scene: 'plain' }, [{ ap: 2 }, { ap: 2 }]);
    log.mockRestore();
    const urban = JSON.parse(readFileSync(new URL('real-seeds-urban.json', dir), 'utf8'));
    expect(urban).toMatchObject({ what: 'w', trainingScenes: 'urban', seeds: [0, 1] });
    expect(urban.summary.ap).toMatchObject({ mean: 2, values: [1, 3] });
    const plain = JSON.parse(readFileSync(new URL('real-seeds.json', dir), 'utf8'));
    expect(plain.summary.ap).toMatchObject({ mean: 2, sd: 0 });
  });

  it('runSeeds: one run per seed of the command line, their summary written for its scene', async () => {
    const dir = pathToFileURL(`${mkdtempSync(join(tmpdir(), 'seeds-'))}/`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const calls: [number, string][] = [];
    await runSeeds(
      'w',
      dir,
      async (seed, { scene }) => {
        calls.push([seed, scene]);
        return { ap: seed };
      },
      ['--seeds', '1,3', '--scene', 'urban'],
    );
    log.mockRestore();
    expect(calls).toEqual([
      [1, 'urban'],
      [3, 'urban'],
    ]);
    const out = JSON.parse(readFileSync(new URL('real-seeds-urban.json', dir), 'utf8'));
    expect(out).toMatchObject({ what: 'w', seeds: [1, 3], summary: { ap: { mean: 2, values: [1, 3] } } });
  });

  it('reads the real-seeds command line and names a bad --scene', () => {
    expect(seedsCommandLine([])).toMatchObject({ seeds: [0, 1, 2], scene: 'plain' });
    expect(seedsCommandLine(['--seeds', '3,4', '--scene', 'urban'])).toMatchObject({
      seeds: [3, 4],
      scene: 'urban',
    });
    expect(() => seedsCommandLine(['--scene', 'city'])).toThrow(
      new SeedsCommandLineError('real-seeds: --scene expects plain or urban; received city'),
    );
    for (const bad of ['1,x', '-1', '0,,2', '1.5'])
      expect(() => seedsCommandLine([`--seeds=${bad}`])).toThrow(
        new SeedsCommandLineError(
          `real-seeds: --seeds expects non-negative integers separated by commas; received ${bad}`,
        ),
      );
  });
});
