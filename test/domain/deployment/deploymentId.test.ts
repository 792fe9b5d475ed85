/** Deployment ids carry their app and second, so a record is found from its id alone. */
import { deploymentIdOfInstance, newDeploymentId, parseDeploymentId } from '../../../src/domain/deployment';

describe('deployment ids', () => {
  it('name the app, the second (UTC) and a nonce, and parse back', () => {
    const id = newDeploymentId('grocery-planner-web', new Date('2026-12-02T04:05:06.789Z'), 'a1b2c3');
    expect(id).toBe('grocery-planner-web-20261202040506-a1b2c3');
    expect(parseDeploymentId(id)).toEqual({ app: 'grocery-planner-web', second: '20261202040506', nonce: 'a1b2c3' });
  });

  it('parse an app whose own name ends like a time', () => {
    expect(parseDeploymentId('build-20260101000000-20261202040506-abc')).toEqual({ app: 'build-20260101000000', second: '20261202040506', nonce: 'abc' });
  });

  it.each([['no parts', 'd1'], ['no nonce', 'shop-20261202040506'], ['a short second', 'shop-2026120204-abc'], ['OData in it', "shop-20261202040506-abc' or true"], ['upper case', 'Shop-20261202040506-abc'], ['empty', '']])(
    'refuse %s',
    (_case, id) => {
      expect(parseDeploymentId(id)).toBeUndefined();
    },
  );

  it.each([
    ['the deployment\'s own orchestration', 'shop-20261202040506-abc', 'shop-20261202040506-abc'],
    ['its health-wait', 'shop-20261202040506-abc:health', 'shop-20261202040506-abc'],
    ['a numbered health gate', 'shop-20261202040506-abc:health:3', 'shop-20261202040506-abc'],
    ['its backup', 'shop-20261202040506-abc:backup', 'shop-20261202040506-abc'],
    ['a backup of its own', 'backup-shop-db-1a2b', undefined],
    ['no instance', undefined, undefined],
  ])('find the deployment an orchestration instance works for: %s', (_case, instanceId, deploymentId) => {
    expect(deploymentIdOfInstance(instanceId)).toBe(deploymentId);
  });
});
