// jest globalSetup of the `stack` project: one Azurite and one PostgreSQL for the whole run.
import { startSharedServices } from './sharedServices';

export default startSharedServices;
