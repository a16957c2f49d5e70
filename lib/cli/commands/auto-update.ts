// husk auto-update [--dry-run] [--format json|TEMPLATE] [--authfile F] [--tls-verify=false]
import type { CommandModule } from 'yargs';
import { autoUpdate } from '../../engine/auto-update.js';
import { messageFor } from '../../core/errors.js';
import { contextFrom, lastWins, table, type GlobalArgs } from '../common.js';
import { renderRows } from '../format.js';
import { printOut } from '../output.js';
import { accessFrom, REGISTRY_OPTIONS, type RegistryArgs } from '../registry-options.js';

type Args = GlobalArgs & RegistryArgs & { dryRun: boolean; format?: string; rollback: boolean };

export const autoUpdateCommand: CommandModule<object, Args> = {
  command: 'auto-update',
  describe: 'Restart the systemd units of containers labelled io.containers.autoupdate=registry|local whose image has a newer version',
  builder: (y) =>
    y.options({
      'dry-run': { type: 'boolean', default: false, describe: 'Only say which containers would be updated (UPDATED: pending)' },
      format: { type: 'string', coerce: lastWins, describe: 'json, or a Go template ({{.Unit}} {{.Container}} {{.ContainerName}} {{.ContainerID}} {{.Image}} {{.Policy}} {{.Updated}})' },
      // podman rolls a failed update back to the old image; husk reports it failed and leaves the unit as it is.
      rollback: { type: 'boolean', default: true, describe: 'Accepted for podman\'s command lines; husk does not roll back a failed update' },
      ...REGISTRY_OPTIONS,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    const { reports, errors } = await autoUpdate(ctx, { dryRun: argv.dryRun, access: accessFrom(argv), env: process.env, progress });
    const rows = reports.map((r) => ({
      Unit: r.unit,
      Container: `${r.containerId.slice(0, 12)} (${r.containerName})`,
      ContainerName: r.containerName,
      ContainerID: r.containerId,
      Image: r.image,
      Policy: r.policy,
      Updated: r.updated,
    }));
    if (argv.format) printOut(renderRows(argv.format, rows));
    else if (rows.length) printOut(table(['UNIT', 'CONTAINER', 'IMAGE', 'POLICY', 'UPDATED'], rows.map((r) => [r.Unit, r.Container, r.Image, r.Policy, r.Updated])));
    for (const e of errors) process.stderr.write(`Error: ${messageFor(e)}\n`);
    if (errors.length) process.exitCode = 125;
  },
};
