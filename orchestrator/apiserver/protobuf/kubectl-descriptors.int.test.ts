import { expect } from 'chai';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import protobuf from 'protobufjs';
import * as descriptor from 'protobufjs/ext/descriptor/index.js';
import { SCHEMA_ROOT } from './schema.js';

interface FieldDescriptor {
  name: string;
  number: number;
  label: number;
  type: number;
  typeName?: string;
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
}
interface FileDescriptor {
  name: string;
  package: string;
  messageType: MessageDescriptor[];
}

const LABEL_REPEATED = 3;
const TYPE_NAMES: Record<number, string> = {
  3: 'int64',
  5: 'int32',
  8: 'bool',
  9: 'string',
  11: 'message',
  12: 'bytes',
};

function kubectlPath(): string {
  const bin = process.env.KUBECTL_BIN ?? 'kubectl';
  if (bin.includes('/')) return realpathSync(bin);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (existsSync(join(dir, bin))) return realpathSync(join(dir, bin));
  }
  throw new Error(`${bin} not found on PATH`);
}

// The Go protobuf runtime keeps every generated.proto as a gzipped FileDescriptorProto inside the
// binary; finding them needs no Go toolchain, only the gzip magic.
function kubectlDescriptors(): Map<string, MessageDescriptor> {
  const binary = readFileSync(kubectlPath());
  const messages = new Map<string, MessageDescriptor>();
  for (
    let i = binary.indexOf('\x1f\x8b\x08', 0, 'latin1');
    i >= 0;
    i = binary.indexOf('\x1f\x8b\x08', i + 1, 'latin1')
  ) {
    let inflated: Buffer;
    try {
      inflated = gunzipSync(binary.subarray(i, i + 1_000_000), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      continue;
    }
    if (!inflated.subarray(0, 120).toString('latin1').includes('generated.proto')) continue;
    let file: FileDescriptor;
    try {
      file = descriptor.FileDescriptorProto.decode(inflated) as unknown as FileDescriptor;
    } catch {
      continue;
    }
    for (const m of file.messageType) messages.set(`.${file.package}.${m.name}`, m);
  }
  return messages;
}

function ourType(field: protobuf.Field): string {
  return field.resolvedType ? 'message' : field.type;
}

describe('the transcribed schema, checked against the descriptors compiled into kubectl 1.32', function () {
  this.timeout(60_000);

  it('has every field kubectl knows, with its number, name, type and cardinality', () => {
    const upstream = kubectlDescriptors();
    expect(upstream.size, 'descriptors found in the kubectl binary').to.be.greaterThan(100);
    const problems: string[] = [];
    let compared = 0;
    const visit = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          const theirs = upstream.get(nested.fullName);
          if (!theirs) continue;
          compared++;
          for (const f of theirs.field) {
            const mine = nested.fieldsById[f.number];
            const where = `${nested.fullName}.${f.name} = ${f.number}`;
            if (!mine) {
              problems.push(`missing ${where}`);
              continue;
            }
            if (mine.name !== f.name && mine.options?.['(inline)'] !== true)
              problems.push(`${where} is named ${mine.name}`);
            const entry = theirs.nestedType.find(
              (n) => `.${nested.fullName.slice(1)}.${n.name}` === f.typeName,
            );
            if (mine.map) {
              const value = entry?.field.find((x) => x.number === 2);
              if (!entry || !value) problems.push(`${where} is a map here only`);
              else if (ourType(mine) !== TYPE_NAMES[value.type])
                problems.push(`${where} maps to ${ourType(mine)}`);
              continue;
            }
            if (mine.repeated !== (f.label === LABEL_REPEATED))
              problems.push(`${where} differs in cardinality`);
            if (ourType(mine) !== TYPE_NAMES[f.type])
              problems.push(`${where} is ${ourType(mine)}, not ${TYPE_NAMES[f.type]}`);
            else if (mine.resolvedType && mine.resolvedType.fullName !== f.typeName) {
              problems.push(`${where} is ${mine.resolvedType.fullName}, not ${f.typeName}`);
            }
          }
        } else if (nested instanceof protobuf.Namespace) {
          visit(nested);
        }
      }
    };
    visit(SCHEMA_ROOT);
    expect(problems).to.deep.equal([]);
    expect(compared, 'messages compared').to.be.greaterThan(200);
  });
});
