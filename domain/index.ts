export * from './applicationStages';
export * from './calendar';
export * from './cards';
export * from './deadlines';
export * from './eligibility';
export * from './idNumber';
export * from './names';
export * from './regions';
