import { InMemoryCoordinator } from '../../lib/runner/in-memory-coordinator.js';
import { describeCoordinator } from './coordinator.contract.js';

// Replicas in one process share one instance: `make` hands out the same one per namespace.
const shared = new Map<string, InMemoryCoordinator>();
describeCoordinator('InMemoryCoordinator', (namespace) => {
  let coordinator = shared.get(namespace);
  if (!coordinator) shared.set(namespace, (coordinator = new InMemoryCoordinator()));
  return coordinator;
});
