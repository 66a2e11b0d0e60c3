import { expect } from 'chai';
import { shareOut } from '../../domain/rate-limits';

describe('shareOut: one counter charge split between the requests it was made for', () => {
  it('allows the requests that fit, in the order they came, and refuses the rest', () => {
    // The counter was at 3 of 5 before these four charges of 1.
    expect(shareOut([1, 1, 1, 1], 7, 5)).to.deep.equal([
      { allowed: true, remaining: 1 },
      { allowed: true, remaining: 0 },
      { allowed: false, remaining: 0 },
      { allowed: false, remaining: 0 },
    ]);
  });

  it('counts a refused charge, so a smaller one after it is refused too, as when charged alone', () => {
    // From 0 of 10: 4 fits, 8 does not (12), and 1 after it does not either (13).
    expect(shareOut([4, 8, 1], 13, 10).map((s) => s.allowed)).to.deep.equal([true, false, false]);
  });

  it('allows every charge of a fresh window that stays within the limit', () => {
    expect(shareOut([2, 3], 5, 5)).to.deep.equal([
      { allowed: true, remaining: 3 },
      { allowed: true, remaining: 0 },
    ]);
  });

  it('refuses everything when the counter is past the limit whatever it held before', () => {
    expect(shareOut([1, 1], Infinity, 5).every((s) => !s.allowed && s.remaining === 0)).to.equal(true);
  });
});
