import { isSameImageRepository, normalizeRegistry, normalizeRepository } from '../../../src/domain/push';

describe('registry and repository names', () => {
  it.each([
    ['MyRegistry.AzureCR.io', 'myregistry.azurecr.io'],
    ['myregistry.azurecr.io:443', 'myregistry.azurecr.io'],
    ['https://myregistry.azurecr.io/', 'myregistry.azurecr.io'],
    ['localhost:5000', 'localhost:5000'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['registry.hub.docker.com', 'docker.io'],
    ['Docker.IO', 'docker.io'],
    ['ghcr.io', 'ghcr.io'],
  ])('registry %s is known as %s', (registry, normalized) => {
    expect(normalizeRegistry(registry)).toBe(normalized);
  });

  it.each([
    ['docker.io', 'nginx', 'library/nginx'],
    ['index.docker.io', 'library/nginx', 'library/nginx'],
    ['docker.io', 'svendowideit/testhook', 'svendowideit/testhook'],
    ['ghcr.io', 'Codertocat/Hello-World', 'codertocat/hello-world'],
    ['myregistry.azurecr.io', 'nginx', 'nginx'], // `library/` is a Docker Hub convention only
  ])('on %s repository %s is %s', (registry, repository, normalized) => {
    expect(normalizeRepository(registry, repository)).toBe(normalized);
  });

  it.each([
    [{ registry: 'docker.io', repository: 'nginx' }, { registry: 'registry-1.docker.io', repository: 'library/nginx' }, true],
    [{ registry: 'MYREG.azurecr.io', repository: 'web' }, { registry: 'myreg.azurecr.io', repository: 'web' }, true],
    [{ registry: 'myreg.azurecr.io', repository: 'web' }, { registry: 'other.azurecr.io', repository: 'web' }, false],
    [{ registry: 'myreg.azurecr.io', repository: 'web' }, { registry: 'myreg.azurecr.io', repository: 'team/web' }, false],
    [{ registry: 'myreg.azurecr.io', repository: 'nginx' }, { registry: 'myreg.azurecr.io', repository: 'library/nginx' }, false],
  ])('%j and %j are the same repository: %s', (a, b, same) => {
    expect(isSameImageRepository(a, b)).toBe(same);
  });
});
