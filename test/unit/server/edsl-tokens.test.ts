// The credentials in EDSL's upload and download URLs: one use, one owner, a limited time (on a clock we move).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DownloadSigner } from '../../../src/server/edsl/signed-urls';
import { PendingUploads } from '../../../src/server/edsl/uploads';

const announcement = { description: null, iterations: 1, fresh: false, visibility: 'private' };
const submission = { source: { name: 'x.survey.json', text: '{}' }, files: {} };

describe('upload tokens', () => {
  test('a token opens its own upload once; a wrong one never', () => {
    const uploads = new PendingUploads();
    const { jobUuid, token } = uploads.announce('ann', announcement);
    const other = uploads.announce('ann', announcement);
    assert.equal(uploads.redeem(jobUuid, other.token), null);
    assert.deepEqual(uploads.redeem(jobUuid, token), { owner: 'ann', announcement });
    assert.equal(uploads.redeem(jobUuid, token), null, 'spent');
    assert.equal(uploads.redeem('no-such-job', token), null);
  });

  test('an announcement is its owner’s, and expires', () => {
    let now = 0;
    const uploads = new PendingUploads(1000, 10, () => now);
    const { jobUuid, token } = uploads.announce('ann', announcement);
    uploads.redeem(jobUuid, token);
    uploads.uploaded(jobUuid, submission);
    assert.equal(uploads.ready('bob', jobUuid), null);
    assert.deepEqual(uploads.ready('ann', jobUuid), { announcement, submission });
    now = 1001;
    assert.equal(uploads.ready('ann', jobUuid), null);
    const late = uploads.announce('ann', announcement);
    now = 2002;
    assert.equal(uploads.redeem(late.jobUuid, late.token), null);
  });

  test('it refuses more announcements than it holds', () => {
    const uploads = new PendingUploads(1000, 2);
    uploads.announce('ann', announcement);
    uploads.announce('ann', announcement);
    assert.throws(() => uploads.announce('ann', announcement), /too many/);
  });
});

describe('download URLs', () => {
  test('a signed token names its owner and job until it expires; an altered one or another server’s is refused', () => {
    let now = 0;
    const signer = new DownloadSigner(1000, () => now);
    const token = signer.sign('ann', 'job_1');
    assert.deepEqual(signer.verify(token), { owner: 'ann', jobId: 'job_1' });
    const [payload, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify(['bob', 'job_1', 10_000])).toString('base64url')}.${mac}`;
    assert.equal(signer.verify(forged), null);
    assert.equal(signer.verify(`${payload}.`), null);
    assert.equal(new DownloadSigner(1000, () => now).verify(token), null);
    now = 1001;
    assert.equal(signer.verify(token), null);
  });
});
