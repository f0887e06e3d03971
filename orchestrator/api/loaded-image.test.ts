import { expect } from 'chai';
import { findLoadedImage, formatImageFlag, normalizedImage, parseImageFlag } from './loaded-image.js';

describe('loaded images (kubelet --image)', () => {
  it('compares image references with Docker’s defaults filled in', () => {
    expect(normalizedImage('my-api')).to.equal('my-api:latest');
    expect(normalizedImage('docker.io/library/my-api:latest')).to.equal('my-api:latest');
    expect(normalizedImage('example.com:5000/team/my-api:1.0')).to.equal('example.com:5000/team/my-api:1.0');
    expect(normalizedImage('My-API')).to.equal(undefined);
    expect(normalizedImage('my-api@sha256:abc')).to.equal(undefined);
  });

  it('finds the image a pod names, tag and all', () => {
    const images = [
      { image: 'example.com/my-api:1.0', dir: '/a', command: ['node', 'server.js'] },
      { image: 'tool', dir: '/b', command: ['./tool'] },
    ];
    expect(findLoadedImage(images, 'example.com/my-api:1.0')?.dir).to.equal('/a');
    expect(findLoadedImage(images, 'example.com/my-api:2.0')).to.equal(undefined);
    expect(findLoadedImage(images, 'tool:latest')?.dir).to.equal('/b');
    expect(findLoadedImage(images, 'crucible/echo')).to.equal(undefined);
  });

  it('reads back what it writes as a flag, a tag’s colon and a command’s colons included', () => {
    const image = {
      image: 'example.com:5000/my-api:1.0',
      dir: '/crucible-images/0a1b',
      command: ['node', '-e', 'a:[1]'],
    };
    expect(formatImageFlag(image)).to.equal(
      'example.com:5000/my-api:1.0=/crucible-images/0a1b:["node","-e","a:[1]"]',
    );
    expect(parseImageFlag(formatImageFlag(image))).to.deep.equal(image);
  });

  it('says what is wrong with a flag', () => {
    const problem = (text: string) => {
      try {
        parseImageFlag(text);
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(problem('my-api=/srv/my-api')).to.match(
      /^"my-api=\/srv\/my-api" is not <image>=<dir>:<command as a JSON array>/,
    );
    expect(problem('My-API=/srv:["x"]')).to.equal('"My-API" is not an image reference');
    expect(problem('my-api=srv:["x"]')).to.equal('my-api: the folder "srv" is not an absolute path');
    expect(problem('my-api=/srv:[]')).to.equal(
      'my-api: the command must be a non-empty JSON array of non-empty strings',
    );
  });
});
