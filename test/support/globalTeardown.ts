// jest globalTeardown of the `stack` project.
import { stopSharedServices } from './sharedServices';

export default stopSharedServices;
