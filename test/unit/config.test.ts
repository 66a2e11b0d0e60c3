import { expect } from 'chai';
import { loadConfig } from '../../config';
import { configRefusal as refusal } from '../support/config';

describe('configuration: rate limits and the board password', () => {
  it('limits every tenant to 100 requests/s with bursts of 200 unless told otherwise', () => {
    expect(loadConfig({}).rateLimit).to.deep.equal({ rps: 100, burst: 200 });
    expect(loadConfig({ RATE_LIMIT_RPS: '20' }).rateLimit).to.deep.equal({ rps: 20, burst: 40 });
    expect(loadConfig({ RATE_LIMIT_RPS: '20', RATE_LIMIT_BURST: '25' }).rateLimit).to.deep.equal({ rps: 20, burst: 25 });
    expect(loadConfig({ RATE_LIMIT_RPS: '0' }).rateLimit).to.deep.equal({ rps: 0, burst: 0 });
  });

  it('refuses a burst below the rate and values that are not whole numbers, naming the variable', () => {
    expect(refusal({ RATE_LIMIT_RPS: '20', RATE_LIMIT_BURST: '10' })).to.equal(
      'invalid configuration: RATE_LIMIT_BURST: must be at least RATE_LIMIT_RPS (20)',
    );
    expect(refusal({ RATE_LIMIT_RPS: '1.5' })).to.match(/^invalid configuration: RATE_LIMIT_RPS: /);
    expect(refusal({ RATE_LIMIT_BURST: '-1' })).to.match(/^invalid configuration: RATE_LIMIT_BURST: /);
  });

  it('refuses a Bull Board password shorter than 12 characters', () => {
    expect(refusal({ BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'eleven-char' })).to.equal(
      'invalid configuration: BULL_BOARD_PASSWORD: length must be at least 12 characters long',
    );
    expect(refusal({ BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'twelve-chars' })).to.equal('accepted');
  });
});
