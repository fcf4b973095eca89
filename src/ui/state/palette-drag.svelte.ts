// A block being dragged from the palette with the pointer (mouse, pen or touch): where
// the ghost is, and where it would land. Pointer events rather than HTML5 drag and drop,
// so the ghost and the drop preview are ours and real mouse input drives them everywhere.
import { createContext } from 'svelte';
import type { PaletteId } from '../../core/editor/new-layer.ts';
import type { DropTarget } from '../../core/editor/drop-target.ts';

export interface DragGhost {
  type: PaletteId;
  x: number;
  y: number;
  overCanvas: boolean;
  target: DropTarget | null;
}

export class PaletteDrag {
  ghost = $state.raw<DragGhost | null>(null);
}

export const [getPaletteDrag, setPaletteDrag] = createContext<PaletteDrag>();
