// Cutting a batch body into its events' texts: each exactly as sent, never re-serialized, and a body
// that is not an array of JSON texts refused as a whole.
import { expect } from 'chai';
import { JsonBatchMalformed, JsonBatchTooLarge, parseJsonText, splitJsonArray, splitJsonLines } from '../../domain/json-text';

describe('batch bodies', () => {
  describe('a JSON array', () => {
    it("gives each element's text as sent, white space around it dropped", () => {
      const a = '{"n": 12345678901234567890123, "z":1, "a":[1,{"b":"],}\\"["}]}';
      const b = '{"__proto__": {"x": 0.12345678901234567891}}';
      expect(splitJsonArray(` [ ${a} ,\n\t${b}\r\n] `, 10)).to.deep.equal([a, b]);
      expect(splitJsonArray('[1,"two",null,[3]]', 10)).to.deep.equal(['1', '"two"', 'null', '[3]']);
    });

    it('takes an empty array as an empty batch', () => {
      expect(splitJsonArray('[]', 10)).to.deep.equal([]);
      expect(splitJsonArray(' [ \n ] ', 10)).to.deep.equal([]);
    });

    it('refuses what is not an array, or not closed, or has empty elements or trailing text', () => {
      for (const body of ['', '{"a":1}', '"x"', '[', '[1,', '[1,]', '[,1]', '[1,,2]', '[1] x', '[1]]', '[}', '["open]', '[1]\u00a0']) {
        expect(() => splitJsonArray(body, 10), body).to.throw(JsonBatchMalformed);
      }
    });

    it('leaves a malformed element for its own parse to refuse', () => {
      const [element] = splitJsonArray('[{"a":[1}]]', 10);
      expect(() => parseJsonText(element)).to.throw(SyntaxError);
    });

    it('stops at the element past the cap without scanning further', () => {
      expect(splitJsonArray('[1,2,3]', 3)).to.have.length(3);
      expect(() => splitJsonArray(`[1,2,3,4,${'['.repeat(1_000_000)}`, 3)).to.throw(JsonBatchTooLarge);
    });

    it('counts nesting without keeping it: a body of a million brackets costs no memory', () => {
      expect(() => splitJsonArray(`[${'['.repeat(1_000_000)}`, 10)).to.throw(JsonBatchMalformed);
    });
  });

  describe('NDJSON', () => {
    it('gives one text a line, as sent, skipping blank lines and carriage returns', () => {
      const a = '{"n": 12345678901234567890123}';
      expect(splitJsonLines(`${a}\r\n\n  \n[1, 2]\n`, 10)).to.deep.equal([a, '[1, 2]']);
      expect(splitJsonLines('', 10)).to.deep.equal([]);
    });

    it('refuses more lines than the cap', () => {
      expect(() => splitJsonLines('1\n2\n3\n4', 3)).to.throw(JsonBatchTooLarge);
    });
  });
});
