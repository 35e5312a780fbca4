// Activation and the contributions a person sees first, against the real `vscode` API.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, contributedCommands, extension, testGateway } from '../helpers/extension-host';

describe('activation', () => {
  it('is loaded in the extension host', () => {
    assert.equal(extension().id, 'ais-buckets.ais-buckets');
  });

  it('activates and returns its API object', async () => {
    const api = await activate();
    assert.equal(typeof api, 'object', 'activate() must return the extension API');
    assert.notEqual(api, null);
    assert.ok(extension().isActive);
  });

  it('contributes the "AIS Buckets" container with the "Clusters" and "Jobs" views', () => {
    const contributes = extension().packageJSON.contributes;
    const container = contributes.viewsContainers.activitybar.find((c: { id: string }) => c.id === 'aisBuckets');
    assert.equal(container?.title, 'AIS Buckets');
    assert.deepEqual(
      contributes.views.aisBuckets.map((v: { id: string; name: string }) => [v.id, v.name]),
      [
        ['aisBuckets.clusters', 'Clusters'],
        ['aisBuckets.jobs', 'Jobs'],
      ],
    );
  });

  it('opens its view container and focuses the Clusters view', async () => {
    // Both commands exist only if VS Code registered the container and the view from package.json.
    await vscode.commands.executeCommand('workbench.view.extension.aisBuckets');
    await vscode.commands.executeCommand('aisBuckets.clusters.focus');
    await vscode.commands.executeCommand('aisBuckets.jobs.focus');
  });

  it('registers every command it contributes', async () => {
    await activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributedCommands().filter((c) => !registered.has(c.command));
    assert.deepEqual(missing, [], 'contributed in package.json but not registered on activation');
  });

  it('contributes a walkthrough whose steps complete on real events, and localizable titles', () => {
    const pkg = vscode.extensions.getExtension('ais-buckets.ais-buckets')!.packageJSON as { contributes: { walkthroughs: { steps: { completionEvents: string[] }[] }[]; commands: { title: string }[] } };
    const steps = pkg.contributes.walkthroughs[0].steps;
    assert.equal(steps.length, 4);
    for (const s of steps) assert.ok(s.completionEvents.every((e) => /^on(Context|Command):/.test(e)));
  });
});

describe('test environment', () => {
  it('reaches the embedded gateway the runner started, with the seeded buckets', async function () {
    const gw = testGateway();
    if (!gw) return this.skip(); // run by hand, not by a runner
    const res = await fetch(`${gw.url}/s3`);
    assert.equal(res.status, 200);
    const xml = await res.text();
    for (const b of gw.seeded) assert.match(xml, new RegExp(`<Name>${b.name}</Name>`));
  });
});
