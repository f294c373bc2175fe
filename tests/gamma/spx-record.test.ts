import { analyse } from '../../lambda/gamma/analyse';
import { loadFixture } from '../helpers';
import { expectPinnedRecord, PINNED, SPX } from './pinned';

// The numbers the README quotes (net GEX +$16.1bn, flip 4,494.30, walls 4,525 and 4,500), on the whole chain.
describe('the 2023-09-14 SPX chain', () => {
  it('gives the record of scripts/reference.py: counts, totals, flip, levels, dates', () => {
    expectPinnedRecord(analyse(loadFixture(SPX)), PINNED[SPX]);
  });
});
