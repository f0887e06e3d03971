import { expect } from 'chai';
import { marshalFloat32, marshalString } from './go-json-marshal.js';
import { GoJsonSyntaxError, readGoJsonValue } from './go-json-scanner.js';
import { unmarshalGoStruct, type GoStruct } from './go-json-unmarshal.js';

const read = (text: string) => readGoJsonValue(Buffer.from(text, 'utf8'));

function syntaxError(text: string): string {
  try {
    read(text);
  } catch (e) {
    expect(e).to.be.instanceOf(GoJsonSyntaxError);
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(text)} was accepted`);
}

describe("Go's JSON decoding and encoding, as toxiproxy-server uses them", () => {
  it("words syntax errors as Go's json.Decoder does", () => {
    const cases: [string, string][] = [
      ['', 'EOF'],
      [' \n', 'EOF'],
      ['not json', "invalid character 'o' in literal null (expecting 'u')"],
      ['garbage', "invalid character 'g' looking for beginning of value"],
      ['{"a":1', 'unexpected EOF'],
      ['tru', 'unexpected EOF'],
      ['{"a" 1}', "invalid character '1' after object key"],
      ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
      ['[1 2]', "invalid character '2' after array element"],
      ['{1:2}', "invalid character '1' looking for beginning of object key string"],
      ['"a\u0001"', "invalid character '\\x01' in string literal"],
      ['"\\q"', "invalid character 'q' in string escape code"],
      ['"\\u12x4"', "invalid character 'x' in \\u hexadecimal character escape"],
      ['-x', "invalid character 'x' in numeric literal"],
      ['1.x', "invalid character 'x' after decimal point in numeric literal"],
      ['1ex', "invalid character 'x' in exponent of numeric literal"],
      ["'a'", "invalid character '\\'' looking for beginning of value"],
      ['\ta', "invalid character 'a' looking for beginning of value"],
      ['[\n', 'unexpected EOF'],
    ];
    for (const [text, message] of cases) expect(syntaxError(text), JSON.stringify(text)).to.equal(message);
  });

  it('reads only the first value, keeps number literals and duplicate keys, and repairs lone surrogates', () => {
    expect(read('{"a":1.50} trailing garbage')).to.deep.equal({
      kind: 'object',
      members: [['a', { kind: 'number', literal: '1.50' }]],
    });
    expect(read('01')).to.deep.equal({ kind: 'number', literal: '0' });
    expect(read('[{"k":true,"k":null},"\\ud83d\\ude00\\ud800x"]')).to.deep.equal({
      kind: 'array',
      items: [
        {
          kind: 'object',
          members: [
            ['k', { kind: 'bool', value: true }],
            ['k', { kind: 'null' }],
          ],
        },
        { kind: 'string', value: '😀\ufffdx' },
      ],
    });
  });

  it('unmarshals as encoding/json: folded keys, null leaves a field, first type error reported with its path', () => {
    const type: GoStruct = {
      name: 'Thing',
      typeString: 'pkg.Thing',
      fields: [
        { json: 'name', type: { kind: 'string' } },
        { json: 'count', type: { kind: 'int', name: 'int64' } },
        { json: 'ratio', type: { kind: 'float32' } },
      ],
    };
    const values = { name: 'x', count: 0n, ratio: 1 };
    expect(unmarshalGoStruct(read('{"NAME":"y","count":null,"ratio":0.1}'), type, values)).to.equal(
      undefined,
    );
    expect(values).to.deep.equal({ name: 'y', count: 0n, ratio: Math.fround(0.1) });
    expect(unmarshalGoStruct(read('{"count":1e3,"name":5}'), type, values)).to.equal(
      'json: cannot unmarshal number 1e3 into Go struct field Thing.count of type int64',
    );
    expect(unmarshalGoStruct(read('{"count":9223372036854775808}'), type, values)).to.match(
      /number 9223372036854775808/,
    );
    expect(unmarshalGoStruct(read('{"ratio":1e39}'), type, values)).to.match(/number 1e39 into .* float32/);
    expect(unmarshalGoStruct(read('[]'), type, values)).to.equal(
      'json: cannot unmarshal array into Go value of type pkg.Thing',
    );
  });

  it("writes strings and float32 values as Go's encoder does", () => {
    expect(marshalString('a<b>&c\u2028')).to.equal('"a\\u003cb\\u003e\\u0026c\\u2028"');
    expect(marshalFloat32(Math.fround(0.1))).to.equal('0.1');
    expect(marshalFloat32(Math.fround(0.3333333))).to.equal('0.3333333');
    expect(marshalFloat32(2)).to.equal('2');
    expect(marshalFloat32(Math.fround(1e-7))).to.equal('1e-7');
  });
});
