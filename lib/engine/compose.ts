// `husk compose`: a compose project, loaded from its files (lib/compose).
// So far the model and its `config` view; the commands that run it build on these.
import { loadProject, renderConfig, type LoadOptions, type Project } from '../compose/index.js';

export type { LoadOptions, Project };

export function composeProject(opts: LoadOptions): Project {
  return loadProject(opts);
}

export function composeConfig(project: Project): string {
  return renderConfig(project);
}
