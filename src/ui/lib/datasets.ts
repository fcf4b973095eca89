// Input shapes of the datasets Layerboard knows, for the Input node's presets and label.
export interface InputPreset {
  label: string;
  shape: number[];
}

export const INPUT_PRESETS: InputPreset[] = [
  { label: 'MNIST', shape: [1, 28, 28] },
  { label: 'CIFAR-10', shape: [3, 32, 32] },
  { label: 'Features', shape: [784] },
];

export function datasetName(shape: number[]): string | null {
  const key = shape.join('×');
  return INPUT_PRESETS.find((p) => p.shape.join('×') === key && p.shape.length > 1)?.label ?? null;
}
