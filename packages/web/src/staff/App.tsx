/** The staff client. */
export function App() {
  return (
    <main>
      <h1>Stacks staff</h1>
    </main>
  );
}
