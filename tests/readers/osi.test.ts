import { cboeContract, osiReader } from '../../lambda/readers/osi';

// Expected instants written out by hand (docs/methodology.md §2): SPX (AM) settles at 09:30 New York, other
// roots at 16:00; New York is UTC−5 in December and UTC−4 in June.
describe('OSI option symbols', () => {
  it('reads root, underlying, type, strike and settlement, as each series comes and goes', () => {
    const read = osiReader();
    const copy = (text: string) => {
      const r = read(text);
      return r === null ? null : { ...r, expiry: new Date(r.expiry).toISOString() };
    };
    expect(copy('SPXW231215C04500000')).toEqual({
      root: 'SPXW',
      underlying: 'SPX',
      type: 'call',
      strike: 4500,
      expiry: '2023-12-15T21:00:00.000Z',
    });
    expect(copy(' SPX231215P04500500 ')).toEqual({
      root: 'SPX',
      underlying: 'SPX',
      type: 'put',
      strike: 4500.5,
      expiry: '2023-12-15T14:30:00.000Z',
    });
    // Back to the first series, then one of the same length but another date, then another root.
    expect(copy('SPXW231215P04000000')).toMatchObject({ root: 'SPXW', type: 'put', strike: 4000 });
    expect(copy('SPXW240621C05000000')).toMatchObject({ root: 'SPXW', expiry: '2024-06-21T20:00:00.000Z' });
    expect(copy('QQQ240621C00450000')).toMatchObject({ root: 'QQQ', underlying: 'QQQ', strike: 450 });
    expect(copy('BRK.B240621C00400000')).toMatchObject({ root: 'BRK.B', underlying: 'BRK.B', strike: 400 });
  });

  it.each([
    ['a date that does not exist', 'SPXW230231C04500000'],
    ['another letter than C or P', 'SPXW231215X04500000'],
    ['a root of 7 characters', 'SPXWXYZ231215C04500000'],
    ['a short date', 'SPXW2312C04500000'],
    ['a short strike', 'SPXW231215C0450000'],
    ['lower case', 'spxw231215c04500000'],
  ])('refuses %s', (_, text) => {
    expect(osiReader()(text)).toBeNull();
  });

  it('refuses a symbol of a date that does not exist even after a good one of that root', () => {
    const read = osiReader();
    expect(read('SPXW230228C04500000')).not.toBeNull();
    expect(read('SPXW230231C04500000')).toBeNull();
    expect(read('SPXW230228P04500000')).toMatchObject({ type: 'put' });
  });

  it('keeps the vendor gamma only when the feed has one', () => {
    const osi = osiReader()('SPY250620C00600000')!;
    const quote = { openInterest: 10, iv: 0.2, gamma: 0.015, bid: 1.25, ask: 1.3 };
    const with_ = cboeContract(osi, quote, 599.14);
    expect(with_).toMatchObject({
      openInterest: 10,
      iv: 0.2,
      vendorGamma: 0.015,
      multiplier: 100,
      forward: 599.14,
      bid: 1.25,
      ask: 1.3,
    });
    expect(cboeContract(osi, { ...quote, gamma: NaN }, 599.14)).not.toHaveProperty('vendorGamma');
  });
});
