export * from './applicationStages';
export * from './cards';
export * from './deadlines';
export * from './eligibility';
export * from './idNumber';
export * from './regions';
