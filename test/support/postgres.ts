// The throwaway PostgreSQL cluster lives with devhost (the local demo uses it too).
export * from '../../devhost/postgres';
