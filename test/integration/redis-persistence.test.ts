import net from 'node:net';
import { expect } from 'chai';
import { persistenceProblems, warnUnlessRedisPersists } from '../../config/redis-persistence';
import { capturingLogger } from '../support/logs';

/** A stand-in for Redis that answers INFO (the client's ready check), CONFIG as told, and +OK otherwise. */
async function fakeRedis(config: (parameter: string) => string): Promise<{ url: string; close: () => Promise<void> }> {
  const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  const server = net.createServer((socket) => {
    socket.on('data', (data) => {
      // Commands arrive as RESP arrays; these tests only need the words.
      const words = data
        .toString()
        .split('\r\n')
        .filter((w) => w && !/^[*$]/.test(w));
      for (let i = 0; i < words.length; i++) {
        const word = words[i].toUpperCase();
        if (word === 'INFO') socket.write(bulk('# Server\r\nredis_version:7.0.0\r\nloading:0\r\n'));
        else if (word === 'CONFIG') {
          socket.write(config(words[i + 2]));
          i += 2;
        } else if (word !== 'GET') socket.write('+OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `redis://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The messages a logger at warn level was given. */
function warnings() {
  const { logger, lines } = capturingLogger('warn');
  return { logger, messages: () => lines.map((line) => String(line.msg)) };
}

describe('Redis persistence check at start', () => {
  it('names each setting that puts queued events at risk', () => {
    expect(persistenceProblems({ appendonly: 'yes', maxmemoryPolicy: 'noeviction' })).to.deep.equal([]);
    const problems = persistenceProblems({ appendonly: 'no', maxmemoryPolicy: 'allkeys-lru' });
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/appendonly is no/);
    expect(problems[1]).to.match(/maxmemory-policy is allkeys-lru/);
  });

  it('warns when Redis neither persists nor keeps keys under memory pressure', async () => {
    const settings: Record<string, string> = { appendonly: 'no', 'maxmemory-policy': 'volatile-lru' };
    const redis = await fakeRedis((name) => `*2\r\n$${name.length}\r\n${name}\r\n$${settings[name].length}\r\n${settings[name]}\r\n`);
    const { logger, messages } = warnings();
    try {
      await warnUnlessRedisPersists(redis.url, logger);
    } finally {
      await redis.close();
    }
    expect(messages()).to.have.length(2);
    expect(messages().join('\n'))
      .to.match(/appendonly is no/)
      .and.to.match(/maxmemory-policy is volatile-lru/);
  });

  it('warns, without failing, when CONFIG is refused or Redis cannot be reached', async () => {
    const redis = await fakeRedis(() => "-ERR unknown command 'CONFIG'\r\n");
    const { logger, messages } = warnings();
    try {
      await warnUnlessRedisPersists(redis.url, logger);
    } finally {
      await redis.close();
    }
    await warnUnlessRedisPersists('redis://127.0.0.1:1', logger);
    expect(messages()).to.have.length(2);
    for (const line of messages()) expect(line).to.match(/could not read the Redis persistence settings/);
  });
});
