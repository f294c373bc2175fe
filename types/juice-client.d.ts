// juice/client is juice without remote-resource inlining; it has the same inline API and no typings of its own.
declare module 'juice/client' {
  import juice from 'juice';
  export default juice;
}
