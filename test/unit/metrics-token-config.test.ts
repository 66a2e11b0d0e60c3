import { expect } from 'chai';
import { loadConfig } from '../../config';

describe('METRICS_TOKEN configuration', () => {
  it('is optional, and taken as given when long enough', () => {
    expect(loadConfig({}).metricsToken).to.equal(undefined);
    expect(loadConfig({ METRICS_TOKEN: 'a-token-of-24-characters' }).metricsToken).to.equal('a-token-of-24-characters');
  });

  it('refuses a short token or one with spaces, naming the variable and never printing the token', () => {
    for (const token of ['short', 'a long token with spaces']) {
      expect(() => loadConfig({ METRICS_TOKEN: token }))
        .to.throw(/^invalid configuration: METRICS_TOKEN: /)
        .that.satisfies((e: Error) => !e.message.includes(token));
    }
  });
});
